// The API is same-origin and cookie-authenticated, so pages render in the browser.
export const ssr = false;
export const prerender = false;
