// A small application shaped like Directus's use of Redis, run unchanged against a server:
// ioredis for data, caching and locks, rate-limiter-flexible's Lua limiter (EVALSHA with the
// NOSCRIPT fallback to EVAL), MULTI/EXEC and WATCH, a pub/sub bus with binary payloads on a second
// connection, and a KEYS + UNLINK cache purge. Exits 0 and prints "ok <checks>" when every check
// holds; exits 1 with the failed check otherwise.
//
//   node ioredis-app.mjs <port>
import Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';

const port = Number(process.argv[2]);
const options = { host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 10000 };
const redis = new Redis(options);
const other = new Redis(options);
const bus = new Redis(options);
let checks = 0;

function check(condition, what, actual) {
  if (!condition) {
    throw new Error(`check failed: ${what} (got ${JSON.stringify(actual)})`);
  }
  checks++;
}

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function cacheAndData() {
  await redis.flushall();
  check((await redis.set('directus:cache:items', JSON.stringify({ id: 1 }), 'PX', 60000)) === 'OK', 'SET PX');
  check(JSON.parse(await redis.get('directus:cache:items')).id === 1, 'GET json');
  await redis.hset('directus:settings', { project: 'demo', locale: 'en' });
  const settings = await redis.hgetall('directus:settings');
  check(deepEqual(settings, { project: 'demo', locale: 'en' }), 'HSET object / HGETALL', settings);
  await redis.rpush('queue', 'a', 'b');
  check((await redis.lpop('queue')) === 'a', 'list queue');
  check((await redis.sadd('tags', 'x', 'y', 'x')) === 2, 'SADD');
  check((await redis.zadd('board', 10, 'ann', 20, 'bob')) === 2, 'ZADD');
  const top = await redis.zrevrange('board', 0, 0, 'WITHSCORES');
  check(deepEqual(top, ['bob', '20']), 'ZREVRANGE WITHSCORES', top);
}

async function rateLimiter() {
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rl', points: 3, duration: 10 });
  const consumed = [];
  for (let i = 0; i < 3; i++) {
    const res = await limiter.consume('1.2.3.4');
    consumed.push(res.consumedPoints);
  }
  check(deepEqual(consumed, [1, 2, 3]), 'rate limiter counts through its Lua script', consumed);
  let rejected = null;
  try {
    await limiter.consume('1.2.3.4');
  } catch (res) {
    rejected = res;
  }
  check(rejected && rejected.remainingPoints === 0 && rejected.msBeforeNext > 0 && rejected.msBeforeNext <= 10000,
    'rate limiter rejects the fourth request with the window left', rejected);
  // the script cache emptied: ioredis gets NOSCRIPT for EVALSHA and falls back to EVAL
  await redis.script('FLUSH');
  const again = await limiter.consume('5.6.7.8');
  check(again.consumedPoints === 1, 'rate limiter after SCRIPT FLUSH (NOSCRIPT -> EVAL)', again);
}

async function lock() {
  const token = 'token-' + Math.random();
  check((await redis.set('lock:job', token, 'PX', 5000, 'NX')) === 'OK', 'lock taken with SET NX PX');
  check((await other.set('lock:job', 'intruder', 'PX', 5000, 'NX')) === null, 'lock refused to another');
  const release = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
  check((await other.eval(release, 1, 'lock:job', 'intruder')) === 0, 'compare-and-delete refuses a wrong token');
  check((await redis.eval(release, 1, 'lock:job', token)) === 1, 'compare-and-delete releases');
  const fromScript = await redis.eval(`return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', 2000)`, 1, 'lock:s', 'v');
  check(fromScript === 'OK', 'SET NX PX from a script', fromScript);
  const pttl = await redis.pttl('lock:s');
  check(pttl > 0 && pttl <= 2000, 'PTTL of the script-set key', pttl);
}

async function transactions() {
  const results = await redis.multi().set('tx:a', '1').incr('tx:a').get('tx:a').exec();
  check(deepEqual(results, [[null, 'OK'], [null, 2], [null, '2']]), 'MULTI/EXEC results', results);
  await redis.watch('tx:a');
  await other.set('tx:a', 'changed');
  const aborted = await redis.multi().set('tx:a', 'mine').exec();
  check(aborted === null, 'WATCH conflict aborts EXEC', aborted);
  check((await redis.get('tx:a')) === 'changed', 'the other write stands');
}

async function pubsub() {
  const payload = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
  const received = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
    const got = [];
    bus.on('messageBuffer', (channel, message) => {
      got.push(['message', channel.toString(), message]);
      if (got.length === 2) { clearTimeout(timer); resolve(got); }
    });
    bus.on('pmessageBuffer', (pattern, channel, message) => {
      got.push(['pmessage', channel.toString(), message]);
      if (got.length === 2) { clearTimeout(timer); resolve(got); }
    });
  });
  await bus.subscribe('directus:bus');
  await bus.psubscribe('directus:*:events');
  check((await redis.publish('directus:bus', payload)) === 1, 'PUBLISH reaches one subscriber');
  check((await redis.publish('directus:items:events', 'json')) === 1, 'PUBLISH reaches a pattern');
  const got = await received;
  const direct = got.find((m) => m[0] === 'message');
  check(direct && Buffer.compare(direct[2], payload) === 0, 'binary payload arrives intact', got);
  check(got.some((m) => m[0] === 'pmessage' && m[1] === 'directus:items:events'), 'pattern message arrives', got);
}

async function purge() {
  for (let i = 0; i < 50; i++) {
    await redis.set(`directus:cache:page:${i}`, 'x');
  }
  const keys = await redis.keys('directus:cache:*');
  check(keys.length === 51, 'KEYS finds the cache keys', keys.length);
  check((await redis.unlink(...keys)) === 51, 'UNLINK purges them');
  check((await redis.exists('directus:cache:items', 'directus:settings')) === 1, 'other keys survive the purge');
}

try {
  await cacheAndData();
  await rateLimiter();
  await lock();
  await transactions();
  await pubsub();
  await purge();
  console.log(`ok ${checks}`);
  redis.disconnect();
  other.disconnect();
  bus.disconnect();
  process.exit(0);
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
}
