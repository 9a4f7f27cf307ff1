/** A popup's open state that a click outside it (its root holds `ref`) or the Escape key closes. */
import { useEffect, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';

export function useDismissable(): { open: boolean; setOpen: Dispatch<SetStateAction<boolean>>; ref: RefObject<HTMLDivElement | null> } {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return { open, setOpen, ref };
}
