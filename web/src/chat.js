// The chat panel: the conversational layer is not in this build, and the panel says so (no made-up answers).
import { t } from './i18n.js';
import { el, withCode } from './format.js';

export function renderChat(root) {
  root.replaceChildren(el('h1', {}, t('chat.title')),
    el('div', { class: 'note', id: 'chat-note' }, el('p', {}, withCode(t('chat.placeholder')))),
    el('textarea', { id: 'chat-input', rows: 3, cols: 70, disabled: true, placeholder: t('chat.input') }));
}
