#!/usr/bin/env -S node --import tsx
// Development entry: runs src/ through tsx without a build (`node --import tsx bin/dev.js run ...`).
import {execute} from '@oclif/core'

// The manifest describes dist/; under tsx the commands come from src/, so discover them afresh.
await execute({development: true, dir: import.meta.url, loadOptions: {ignoreManifest: true}})
