/**
 * The bare-Express ceiling: the least an Express POST can cost on this machine, in its own process
 * like the gateway. It parses a small JSON body and answers 202. Prints its port over IPC.
 */
import express from 'express';

const app = express();
app.post('/ping', express.json({ limit: '16kb' }), (req, res) => {
  res.status(202).json({ received: typeof req.body === 'object' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.send!({ port: typeof addr === 'object' && addr ? addr.port : 0 });
});
process.on('disconnect', () => process.exit(0));
