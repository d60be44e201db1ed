import { test } from 'node:test';
import { idleAndBack } from '../contracts/idle-workers';

test('idle worker pools close after workerIdleSeconds and open again for the next run and search, embedding in worker threads', { timeout: 180_000 }, () => idleAndBack(false));
