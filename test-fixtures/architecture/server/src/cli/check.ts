// Breach: a static import would load ts-morph (the TypeScript compiler) for Python-only checks too.
import { analyzeJsSource } from '../analysisJs';
export const check = analyzeJsSource;
