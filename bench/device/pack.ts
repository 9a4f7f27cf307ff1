/**
 * `npm run bench:device-kit`: packs what a GPU machine with neither Node nor a browser needs to run
 * the benchmark's Node engines on its GPU (TensorFlow.js WebGPU through Dawn on Vulkan) into one
 * archive, `.device-kit/kit.tar.xz` (git-ignored, about 35 MB; xz, which Python's tarfile reads):
 *
 *   bin/node                       this Node's executable (Linux x86-64)
 *   bench/*.mjs                    bench/run.ts bundled with its dependencies (esbuild; the browser
 *                                  part is a separate chunk that only a browser run loads)
 *   bench/node_modules/webgpu/     Dawn for Node (index.js + the linux-x64 dawn.node)
 *   lib/*.so.N                     the Vulkan loader and GL vendor-neutral dispatch libraries
 *                                  (Debian's libvulkan1, libglvnd0, libegl1, libgl1, libglx0,
 *                                  libopengl0, libgles2, by apt-get download; else this machine's
 *                                  libvulkan.so.1): the NVIDIA Vulkan driver loads through them,
 *                                  and run.sh uses each only where the GPU machine lacks it
 *
 * `bench/device/run.sh` unpacks and runs it there. See bench/README.md ("On a GPU machine").
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, '.device-kit');
/** The files as they are archived. */
const KIT = join(OUT, 'kit');

/** Where a Vulkan loader may be: the system's, else the one Chromium ships. */
const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/chromium/libvulkan.so.1'];
/** Debian packages of the libraries a GPU's Vulkan driver loads through. */
const GL_PACKAGES = ['libvulkan1', 'libglvnd0', 'libegl1', 'libgl1', 'libglx0', 'libopengl0', 'libgles2'];

/** Downloads GL_PACKAGES and copies their libraries, each under its soname, into `lib`; false when apt-get cannot. */
function copyDebianLibraries(lib: string): boolean {
  const tmp = mkdtempSync(join(tmpdir(), 'device-kit-'));
  try {
    execFileSync('apt-get', ['download', ...GL_PACKAGES], { cwd: tmp, stdio: 'ignore' });
    for (const deb of readdirSync(tmp).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg', ['-x', join(tmp, deb), join(tmp, 'x')]);
    const dir = join(tmp, 'x/usr/lib/x86_64-linux-gnu');
    for (const name of readdirSync(dir).filter((f) => /\.so\.\d+$/.test(f))) copyFileSync(realpathSync(join(dir, name)), join(lib, name));
    return true;
  } catch (e) {
    console.warn(`apt-get download ${GL_PACKAGES.join(' ')} failed (${e instanceof Error ? e.message.split('\n')[0] : e}); packing the Vulkan loader alone`);
    return false;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the kit is for Linux x86-64 GPU machines; this is ${process.platform}-${process.arch}`);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(KIT, 'bench'), { recursive: true });

  await build({
    entryPoints: { run: join(ROOT, 'bench/run.ts') },
    outdir: join(KIT, 'bench'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native or browser-only packages: Dawn is copied beside the bundle; ONNX Runtime, Playwright
    // and Vite are only imported by the engines and the browser part a GPU machine does not run.
    external: ['webgpu', 'onnxruntime-node', '@playwright/test', 'playwright', 'vite'],
    // Bundled CommonJS code may call require() (tfjs's optional Node dependencies).
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    minify: true,
    logLevel: 'warning',
  });

  const webgpu = join(ROOT, 'node_modules/webgpu');
  const webgpuKit = join(KIT, 'bench/node_modules/webgpu');
  mkdirSync(join(webgpuKit, 'dist/linux-x64'), { recursive: true });
  for (const file of ['index.js', 'package.json', 'LICENSE.md']) if (existsSync(join(webgpu, file))) copyFileSync(join(webgpu, file), join(webgpuKit, file));
  copyFileSync(join(webgpu, 'dist/linux-x64/dawn.node'), join(webgpuKit, 'dist/linux-x64/dawn.node'));

  mkdirSync(join(KIT, 'bin'), { recursive: true });
  copyFileSync(process.execPath, join(KIT, 'bin/node'));

  const lib = join(KIT, 'lib');
  mkdirSync(lib, { recursive: true });
  if (!copyDebianLibraries(lib)) {
    const loader = VULKAN_LOADERS.find((p) => existsSync(p));
    if (loader) copyFileSync(realpathSync(loader), join(lib, 'libvulkan.so.1'));
    else console.warn('no Vulkan loader found here (Debian: apt-get install libvulkan1); the GPU machine must have its own');
  }

  for (const name of readdirSync(KIT)) console.log(`  ${name}: ${(sizeOf(join(KIT, name)) / 2 ** 20).toFixed(1)} MiB`);
  console.log('compressing (xz -9, about a minute)...');
  const archive = join(OUT, 'kit.tar.xz');
  execFileSync('tar', ['-C', KIT, '-cf', archive, '--use-compress-program=xz -9 -T0', '.'], { stdio: 'inherit' });
  rmSync(KIT, { recursive: true });
  console.log(`wrote ${relative(process.cwd(), archive)} (${(sizeOf(archive) / 2 ** 20).toFixed(1)} MiB): carry .device-kit to the GPU machine and run bench/device/run.sh there`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
