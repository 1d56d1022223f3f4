/**
 * npm's postinstall. In a development install it generates the Prisma clients
 * (scripts/generate-prisma.ts) and the typed test documents (graphql-codegen) into
 * src/generated. A production install (`npm ci --omit=dev`) has neither the generators
 * (devDependencies) nor needs them: it runs dist/, where the clients are already compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function installed(name) {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

const generators = ['prisma', 'tsx', '@graphql-codegen/cli'];
if (!existsSync(join(root, 'prisma', 'models.prisma')) || !generators.every(installed)) {
  console.log('postinstall: production install (no dev dependencies): nothing to generate, dist/ is run as built.');
  process.exit(0);
}

const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` };
for (const [command, ...args] of [
  ['tsx', 'scripts/generate-prisma.ts'],
  ['graphql-codegen', '--config', 'codegen.ts'],
]) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
