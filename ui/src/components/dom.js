// Builds an element: `el('td', { className: 'num', textContent: '3' }, child…)`.
// Null or undefined children are skipped.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}
