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

test('a weighed channel holds no more than its weight, but always takes one item', async () => {
  const channel = new Channel<number>(10, (n) => n, 10);
  await channel.push(4);
  await channel.push(5);
  let heavyPushed = false;
  const heavy = channel.push(30).then(() => (heavyPushed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(heavyPushed, false, 'push must wait while the weight would pass the bound');
  assert.deepEqual(await channel.pop(), { value: 4, done: false });
  await new Promise((r) => setImmediate(r));
  assert.equal(heavyPushed, false, '5 + 30 is still too heavy');
  assert.deepEqual(await channel.pop(), { value: 5, done: false });
  await heavy;
  assert.equal(channel.size, 1, 'an item heavier than the bound goes into an empty queue');
  let lightPushed = false;
  const light = channel.push(1).then(() => (lightPushed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(lightPushed, false);
  assert.deepEqual(await channel.pop(), { value: 30, done: false });
  await light;
  channel.close();
  assert.deepEqual(await channel.pop(), { value: 1, done: false });
});
