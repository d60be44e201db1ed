import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Channel } from '../../src/core/pipeline/channel';

test('a full channel makes the producer wait until the consumer takes an item', async () => {
  const channel = new Channel<number>(2);
  await channel.push(1);
  await channel.push(2);
  let thirdPushed = false;
  const third = channel.push(3).then(() => (thirdPushed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(thirdPushed, false, 'push must wait while the channel is full');
  assert.equal(channel.size, 2);
  assert.deepEqual(await channel.pop(), { value: 1, done: false });
  await third;
  assert.equal(thirdPushed, true);
  channel.close();
  const rest: number[] = [];
  for await (const item of channel) rest.push(item);
  assert.deepEqual(rest, [2, 3]);
});

test('closing wakes a waiting consumer with done', async () => {
  const channel = new Channel<string>(1);
  const waiting = channel.pop();
  channel.close();
  assert.deepEqual(await waiting, { value: undefined, done: true });
  await assert.rejects(channel.push('late'), /closed/);
});
