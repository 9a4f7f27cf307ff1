/** The viewer controller, loaded on first use (it pulls in TensorFlow.js). */
import { useEffect, useState } from 'react';
import type { ViewerController } from '../../viewer/controller';

let loaded: ViewerController | null = null;
let loading: Promise<ViewerController> | null = null;

export function loadViewerController(): Promise<ViewerController> {
  loading ??= import('../../viewer/controller').then((m) => (loaded = m.viewerController));
  return loading;
}

export function useViewerController(): ViewerController | null {
  const [controller, setController] = useState<ViewerController | null>(loaded);
  useEffect(() => {
    let live = true;
    if (!controller) void loadViewerController().then((c) => live && setController(c));
    return () => {
      live = false;
    };
  }, [controller]);
  return controller;
}
