// The compiled CLI: cli/paccafe.ts and the project files it imports, bundled by esbuild (which
// tsx brings) into dist/paccafe-cli.js, each command's code in a chunk of its own that loads
// when the command runs; packages stay in node_modules but for a few bundled in (BUNDLED).
// Starting it costs no transpiling. dist/paccafe-cli.inputs lists the files it was built from
// (those of the bundled packages too) and is written last: bin/paccafe runs the compiled CLI
// only while no file on the list is newer than the list.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { build } from 'esbuild'
import { projectRoot } from '../lib/paths.ts'

/** One level below the project root, as lib/paths.ts expects of the file it is bundled into. */
export const COMPILED_DIR = path.join(projectRoot, 'dist')
export const COMPILED_ENTRY = path.join(COMPILED_DIR, 'paccafe-cli.js')
export const COMPILED_INPUTS = path.join(COMPILED_DIR, 'paccafe-cli.inputs')
const OUTPUT_PREFIX = 'paccafe-cli'

/**
 * Packages bundled in: pure JavaScript, loaded at start, used by the project's code alone (a
 * package that @temporalio/* also imports stays external, so that one copy of it is loaded).
 * Reading one file instead of hundreds: typebox alone is 709 files.
 */
const BUNDLED = new Set(['typebox', 'minio', 'commander', 'cli-progress', 'postgres'])

async function externalPackages(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
    devDependencies: Record<string, string>
  }
  const all = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]
  return all.filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`])
}

export async function compileCli(): Promise<{ entry: string; inputs: number }> {
  // The list goes first, so that a build that fails half-way leaves no compiled CLI to run.
  await rm(COMPILED_INPUTS, { force: true })
  const old = (await readdir(COMPILED_DIR).catch(() => [] as string[])).filter((file) => file.startsWith(OUTPUT_PREFIX))
  await Promise.all(old.map((file) => rm(path.join(COMPILED_DIR, file), { force: true })))
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: { [OUTPUT_PREFIX]: 'cli/paccafe.ts' },
    outdir: COMPILED_DIR,
    chunkNames: `${OUTPUT_PREFIX}-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: await externalPackages(),
    banner: {
      js: "import { createRequire as __paccafeRequire } from 'node:module'; const require = __paccafeRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  })
  const inputs = Object.keys(result.metafile.inputs).sort()
  await writeFile(COMPILED_INPUTS, `${inputs.join('\n')}\n`)
  return { entry: COMPILED_ENTRY, inputs: inputs.length }
}
