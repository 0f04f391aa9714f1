export interface LabelBox {
  /** Screen position of the label's centre, in CSS pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  priority: number;
}

/**
 * Picks labels that lie wholly inside a width × height view and do not
 * overlap, highest priority first (greedy, as map renderers place symbols).
 * Returns the indices of the kept boxes. `gap` is the clear space kept around each label.
 * `taken` are boxes already drawn above the labels (hexagon counts): a label never covers one.
 */
export function placeLabels(boxes: LabelBox[], view: { width: number; height: number }, gap = 6, taken: Omit<LabelBox, 'priority'>[] = []): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].priority - boxes[a].priority);
  const kept: number[] = [];
  const overlaps = (a: Omit<LabelBox, 'priority'>, b: Omit<LabelBox, 'priority'>) =>
    Math.abs(a.x - b.x) * 2 < a.width + b.width + 2 * gap && Math.abs(a.y - b.y) * 2 < a.height + b.height + 2 * gap;
  for (const i of order) {
    const a = boxes[i];
    // A name cut by the screen edge reads as a different name.
    const inside = a.x - a.width / 2 >= gap && a.x + a.width / 2 <= view.width - gap && a.y - a.height / 2 >= gap && a.y + a.height / 2 <= view.height - gap;
    if (!inside) continue;
    if (taken.some((b) => overlaps(a, b)) || kept.some((j) => overlaps(a, boxes[j]))) continue;
    kept.push(i);
  }
  return kept.sort((a, b) => a - b);
}
