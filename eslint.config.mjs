// Lint configuration: typescript-eslint's recommended rules over the TypeScript sources and tests.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-fixtures/**', '.e2e/**', '**/*.mjs', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
    },
  },
  // The Node tracer is plain CommonJS preloaded with --require: require() is how it loads.
  { files: ['debug-adapter/node/**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
