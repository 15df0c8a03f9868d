// Where the detector's files are served (server/src/http/vendor.ts): our own origin, the
// installed packages' versions in the address. web/test/unit/camera-vendor.test.ts fails
// when an upgrade leaves these behind.
export const HUMAN_VERSION = '3.3.6';
export const TFJS_WASM_VERSION = '4.22.0';
export const HUMAN_BASE = `/vendor/human/${HUMAN_VERSION}`;
export const TFJS_WASM_BASE = `/vendor/tfjs-wasm/${TFJS_WASM_VERSION}`;
