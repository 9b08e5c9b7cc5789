// Building elements without HTML strings: every value a user or a server supplied becomes a text
// node, so nothing it contains is ever parsed as markup.

/**
 * `h('p', { class: 'hint', dataset: { x: '1' } }, 'text', child)`. Attributes are set with
 * setAttribute; children are nodes or strings (strings become text nodes); null is skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}
