/**
 * Builds DOM nodes. Text always goes in as text nodes and attributes through
 * setAttribute, so strings from the network (member ids, roles, messages)
 * can never become markup.
 */

export type Child = Node | string | null;
type Attributes = Readonly<Record<string, string>>;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element with `attributes` and `children` (strings become text). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

/** An SVG element with `attributes` and `children`. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** The element with id `id`; throws when the page lacks it, which is a bug of the page. */
export function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
}

function fill<E extends Element>(element: E, attributes: Attributes, children: Child[]): E {
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== null) element.append(child);
  return element;
}

/** Sets `element`'s text, leaving the node alone when it already reads so (a selection survives). */
export function setText(element: Node, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Sets an attribute only when it changes. */
export function setAttribute(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
