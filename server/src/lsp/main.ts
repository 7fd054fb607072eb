/**
 * The language server bundle's entry. The same script runs twice: as the server on the main
 * thread, and as its analysis worker (a worker thread started from this file), so that the
 * bundle stays one file.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { ANALYSIS_WORKER_ROLE, type WorkerData } from './analysisProtocol';
import { runAnalysisWorker } from './analysisWorker';
import { startServer } from './server';

if (!isMainThread && (workerData as WorkerData | undefined)?.role === ANALYSIS_WORKER_ROLE) runAnalysisWorker();
else startServer(__filename);
