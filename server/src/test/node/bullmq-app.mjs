// A BullMQ job queue as an application runs one: producer, worker, queue events (a stream read
// with XREAD BLOCK), retries with backoff, a delayed job, priorities, a flow; prints what happened.
import { Queue, Worker, QueueEvents, FlowProducer } from 'bullmq';

const port = Number(process.argv[2]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const name = 'jobs' + Date.now();
const queue = new Queue(name, { connection });
const events = new QueueEvents(name, { connection });
await events.waitUntilReady();
const lines = [];
const completed = [];
events.on('completed', ({ jobId, returnvalue }) => completed.push(`${jobId}:${returnvalue}`));
let attempts = {};
const worker = new Worker(name, async job => {
  attempts[job.name] = (attempts[job.name] || 0) + 1;
  if (job.name === 'flaky' && attempts[job.name] < 3) throw new Error('try again');
  return `${job.name}-${job.data.n * 2}`;
}, { connection, concurrency: 2 });

const done = new Promise(resolve => {
  let n = 0;
  worker.on('completed', () => { if (++n === 10) resolve(); });
});
for (let i = 0; i < 5; i++) await queue.add('plain', { n: i }, { jobId: 'p' + i });
await queue.add('flaky', { n: 10 }, { jobId: 'f', attempts: 5, backoff: { type: 'fixed', delay: 50 } });
await queue.add('late', { n: 20 }, { jobId: 'd', delay: 300 });
await queue.add('urgent', { n: 30 }, { jobId: 'u', priority: 1 });
const flow = new FlowProducer({ connection });
await flow.add({ name: 'parent', queueName: name, data: { n: 40 }, opts: { jobId: 'parent' },
                 children: [{ name: 'child', queueName: name, data: { n: 41 }, opts: { jobId: 'child' } }] });
await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), 20000))]);
await new Promise(r => setTimeout(r, 300));
const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'delayed', 'active');
lines.push('counts ' + JSON.stringify(counts));
lines.push('flaky attempts ' + attempts['flaky']);
lines.push('returnvalues ' + (await queue.getCompleted(0, 20)).map(j => `${j.id}=${j.returnvalue}`).sort().join(','));
lines.push('events ' + completed.sort().join(','));
await worker.close(); await events.close(); await flow.close();
await queue.obliterate({ force: true });
await queue.close();
console.log(lines.join('\n'));
