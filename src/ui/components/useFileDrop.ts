/**
 * A drop zone for files: whether files are being dragged over it (nested elements included), and
 * the handlers that take the drop. Drags of anything but files (text, links) are left alone.
 */
import { useRef, useState, type DragEvent } from 'react';
import { carriesFiles } from '../strayDrops';

export interface FileDropZone {
  dragging: boolean;
  handlers: {
    onDragEnter(e: DragEvent): void;
    onDragOver(e: DragEvent): void;
    onDragLeave(e: DragEvent): void;
    onDrop(e: DragEvent): void;
  };
}

/** `onDrop` gets the drop's DataTransfer during the event (its folder entries can only be taken then). */
export function useFileDrop(onDrop: (data: DataTransfer) => void): FileDropZone {
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them.
  const depth = useRef(0);
  return {
    dragging,
    handlers: {
      onDragEnter(e) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      },
      onDragOver(e) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave() {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop(e) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        onDrop(e.dataTransfer);
      },
    },
  };
}
