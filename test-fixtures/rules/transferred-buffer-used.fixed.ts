// Fixture for transferred-buffer-used in TypeScript: an ArrayBuffer from a Blob, sent to the parent.
import { parentPort } from 'node:worker_threads';

export async function upload(blob: Blob): Promise<number> {
  const data = await blob.arrayBuffer();
  parentPort?.postMessage({ data }, []);
  return data.byteLength; // [transferred-buffer-used]
}

// OK

export async function uploadCopy(blob: Blob): Promise<number> {
  const data = await blob.arrayBuffer();
  const size = data.byteLength;
  parentPort?.postMessage({ data }, [data]);
  return size;
}
