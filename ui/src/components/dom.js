// Builds an element: `el('td', { className: 'num', textContent: '3' }, child…)`.
// Null or undefined children are skipped.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Runs `fill` once: just after the view's first paint, or at once if one
 * of `triggers` gets the focus first. For lists of thousands of sites,
 * whose layout would otherwise hold back the view's first paint. */
export function fillAfterPaint(fill, ...triggers) {
  let started = null;
  const run = () => (started ??= fill());
  for (const trigger of triggers) trigger.addEventListener('focus', run);
  requestAnimationFrame(() => setTimeout(run, 0));
}
