// The engine in a Web Worker: parsing and grouping never run on the page's thread.
import * as Comlink from 'comlink';
import { createEngine } from './engine.ts';

Comlink.expose(createEngine());
