// The baseline of scripts/bench-verify.ts: a bare Express 5 server in its own process that
// answers GET /api/verify/:publicId with a fixed JSON of the same shape and size as a real
// verdict. No validation, no database, no chain: what Node and Express cost alone.
import express from 'express';

const app = express();
app.disable('x-powered-by');
const verdict = {
  status: 'valid',
  message: 'Genuine and unaltered: the details match the hash recorded on the chain, and it is not revoked.',
  publicId: 'x'.repeat(22),
  verifyUrl: `http://localhost/verify/${'x'.repeat(22)}`,
  facts: {
    recipientName: 'Bench Student',
    examTitle: 'Bench exam',
    courseName: null,
    institutionName: 'Bench Institute',
    score: 12,
    maxScore: 16,
    percentage: 75,
    passingScore: 50,
    completedAt: new Date(0).toISOString(),
    issuedAt: new Date(0).toISOString(),
  },
  revocation: null,
  evidence: {
    chainId: 31337,
    contract: '0x' + 'ab'.repeat(20),
    tokenId: '1'.repeat(77),
    txHash: '0x' + 'cd'.repeat(32),
    txUrl: null,
    blockNumber: 1234,
    computedHash: '0x' + 'ef'.repeat(32),
    onChainHash: '0x' + 'ef'.repeat(32),
    hashMatches: true,
    onChainRevoked: false,
    issuedOnChainAt: new Date(0).toISOString(),
    checkedVia: '127.0.0.1:8545',
    checkedAt: new Date(0).toISOString(),
  },
};
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/api/verify/:publicId', (req, res) => {
  res.setHeader('Cache-Control', 'no-store');
  res.json({ ...verdict, publicId: req.params.publicId });
});
const server = app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
