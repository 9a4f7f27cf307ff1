/**
 * How the e2e tests launch Chromium: Playwright's own build when it is installed, otherwise the
 * system Chromium (Debian's /usr/bin/chromium), with the flags that give WebGPU and WebGL on the
 * CPU (SwiftShader) in headless mode. Verified on Debian Chromium 156 headless:
 * `--enable-unsafe-webgpu` is what makes navigator.gpu.requestAdapter() return an adapter
 * (vendor "google", architecture "swiftshader"); WebGL 2 runs on ANGLE's SwiftShader Vulkan.
 * `--enable-features=Vulkan` is not needed.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Path of the browser to launch: $CHROMIUM_PATH, Playwright's Chromium if downloaded, else the system one. */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return undefined; // Playwright finds its own build
  } catch {
    // no Playwright browser registry entry: fall through
  }
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return undefined;
}

export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumLaunchOptions(): { executablePath?: string; args: string[] } {
  const executablePath = chromiumExecutable();
  return { ...(executablePath ? { executablePath } : {}), args: [...CHROMIUM_ARGS] };
}
