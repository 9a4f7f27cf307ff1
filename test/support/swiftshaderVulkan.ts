/**
 * Chromium's SwiftShader Vulkan driver (a CPU implementation of Vulkan), for WebGPU in Node
 * through Dawn on a machine without a GPU: the manifest (ICD file) the Vulkan loader is pointed
 * at with VK_ICD_FILENAMES. Debian's chromium ships it in /usr/lib/chromium; Playwright's
 * Chromium beside its executable.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from '@playwright/test';

const MANIFEST = 'vk_swiftshader_icd.json';

/** The SwiftShader Vulkan manifest of an installed Chromium, or null when there is none. */
export function swiftshaderVulkanManifest(): string | null {
  const dirs = ['/usr/lib/chromium'];
  try {
    dirs.push(dirname(chromium.executablePath()));
  } catch {
    // no Playwright browser registry entry
  }
  for (const dir of dirs) if (existsSync(join(dir, MANIFEST))) return join(dir, MANIFEST);
  return null;
}

/** True when the Vulkan loader (libvulkan.so.1, Debian's libvulkan1) is installed: Dawn loads it. */
export function vulkanLoaderInstalled(): boolean {
  try {
    return /libvulkan\.so\.1\b/.test(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }));
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) => existsSync(join(d, 'libvulkan.so.1')));
  }
}
