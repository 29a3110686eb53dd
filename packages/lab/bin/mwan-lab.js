#!/usr/bin/env node
// Thin launcher: the program is built to dist/ by `pnpm build` (tsc -b).
import '../dist/src/main.js';
