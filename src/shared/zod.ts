import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod's tree-shakable build: the browser bundles only the checks the schemas use (≈8 KB
// gzip instead of ≈90 KB). It ships no messages by default; English ones read better in
// logs and counters than "Invalid input".
z.config(en());

export { z };
