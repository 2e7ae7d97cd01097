#!/usr/bin/env node
// Builds the deployable zip of the Functions app: the compiled app (src only, never the sandbox, benches or tests),
// vm/, host.json, package.json without scripts or development dependencies, package-lock.json and the production
// dependencies, installed from the lock file. Prints the zip's size and file count.
//
//   node scripts/package.js [--out <zip path>] [--transpile-only] [--deps-from-node-modules]
//
// --out: where to write the zip (default: dist/iris-backup-guard.zip).
// --transpile-only: compile each file without the type check (`npm run typecheck` is the check), which is faster.
// --deps-from-node-modules: copy the production packages that package-lock.json lists from this checkout's
//   node_modules (each one's version checked against the lock) instead of `npm ci`: for offline machines and tests.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const outArg = process.argv.indexOf('--out');
const zipPath = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, 'dist', 'iris-backup-guard.zip'));
const transpileOnly = process.argv.includes('--transpile-only');
const depsFromNodeModules = process.argv.includes('--deps-from-node-modules');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });

// What Node never loads from the dependencies at run time: type declarations, source maps, and the browser and ES
// module builds of packages that ship a CommonJS build beside them (the app is CommonJS, so `require` picks that).
const UNUSED_FILE = /\.(d\.ts|d\.cts|d\.mts|map)$/;
const UNUSED_BUILDS = ['browser', 'react-native', 'esm'];
const isUnusedBuild = (dir) =>
  UNUSED_BUILDS.includes(path.basename(dir)) &&
  path.basename(path.dirname(dir)) === 'dist' &&
  fs.existsSync(path.join(path.dirname(dir), 'commonjs'));

function prune(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (isUnusedBuild(full)) fs.rmSync(full, { recursive: true, force: true });
      else prune(full);
    } else if (entry.isFile() && UNUSED_FILE.test(entry.name)) {
      fs.rmSync(full);
    }
  }
}

/** Compiles src/**\/*.ts file by file with the project's compiler options, without the type check. */
function transpileSrc(tsconfig, outDir) {
  const ts = require(require.resolve('typescript', { paths: [root] }));
  const config = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} },
  );
  for (const file of config.fileNames) {
    const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: config.options,
      fileName: file,
    });
    const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, output.outputText);
  }
}

/** Copies the production packages of the lock file from node_modules, leaving out what prune() would remove. */
function copyProductionDependencies(app) {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  for (const [key, info] of Object.entries(lock.packages)) {
    if (key === '' || info.dev === true || info.link === true) continue;
    const from = path.join(root, key);
    if (!fs.existsSync(from)) {
      if (info.optional === true) continue;
      throw new Error(`${key} is missing: run npm ci first`);
    }
    const version = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8')).version;
    if (version !== info.version)
      throw new Error(`${key} is ${version}, the lock says ${info.version}: run npm ci first`);
    // Nested node_modules are packages of their own in the lock, copied (or not) on their own.
    fs.cpSync(from, path.join(app, key), {
      recursive: true,
      filter: (src) =>
        src === from ||
        !(
          UNUSED_FILE.test(src) ||
          isUnusedBuild(src) ||
          (path.basename(src) === 'node_modules' && path.dirname(src) === from)
        ),
    });
  }
}

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-package-'));
try {
  // Compile src alone into the staging dir, so the zip never picks up dist/sandbox, dist/bench or stale files.
  const tsconfig = path.join(stage, 'tsconfig.package.json');
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(root, 'tsconfig.json'),
      compilerOptions: {
        types: ['node'],
        typeRoots: [path.join(root, 'node_modules', '@types')],
        outDir: path.join(stage, 'app', 'dist'),
        rootDir: root,
        sourceMap: false,
      },
      include: [path.join(root, 'src', '**', '*.ts')],
    }),
  );
  const app = path.join(stage, 'app');
  if (transpileOnly) transpileSrc(tsconfig, path.join(app, 'dist'));
  else run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', tsconfig], root);

  fs.cpSync(path.join(root, 'vm'), path.join(app, 'vm'), { recursive: true });
  for (const file of ['host.json', 'package-lock.json', '.funcignore']) {
    fs.copyFileSync(path.join(root, file), path.join(app, file));
  }
  // npm ci checks package.json against the lock file, so the development dependencies stay listed until the
  // install is done; the scripts go first (`prepare` would build, and the zip has no compiler).
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  delete pkg.scripts;
  delete pkg.bin;
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  if (depsFromNodeModules) {
    copyProductionDependencies(app);
  } else {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(npm, ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], app);
    prune(path.join(app, 'node_modules'));
  }
  delete pkg.devDependencies;
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  fs.mkdirSync(path.dirname(zipPath), { recursive: true });
  fs.rmSync(zipPath, { force: true });
  // -X: no extra attributes (uid/gid, times), so the zip only carries what the host needs; -y keeps symlinks as such.
  run('zip', ['-q', '-r', '-X', '-y', zipPath, '.'], app);
  const count = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((l) => l !== '' && !l.endsWith('/')).length;
  const size = fs.statSync(zipPath).size;
  console.log(
    `Package: ${path.relative(process.cwd(), zipPath)} ${(size / 1024 / 1024).toFixed(1)} MiB, ${count} files`,
  );
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
