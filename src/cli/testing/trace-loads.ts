/**
 * `node --import <this file>`: records the URL of every module the process loads, one per line, in
 * the file PEAKLAB_TRACE_LOADS names. The start-up test uses it to see what a command pulls in.
 */
import { register } from 'node:module';

const file = process.env.PEAKLAB_TRACE_LOADS;
if (file) register(new URL('./trace-loads-hook.js', import.meta.url), { data: { file } });
