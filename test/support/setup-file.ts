import { afterAll } from 'vitest';
import { closeTestDb } from './db';

// Runs in every test file, at file level.
afterAll(closeTestDb);
