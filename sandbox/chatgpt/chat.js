// The chat page of the stand-in: the composer, attachments uploaded as chatgpt.com does (create,
// PUT to the blob URL, mark uploaded), the answer read from the /backend-api/conversation stream.
const gizmoId = document.body.dataset.gizmoId || null;
let conversationId = document.body.dataset.conversationId || null;
let parentId = null;
const composer = document.getElementById('prompt-textarea');
const send = document.querySelector('[data-testid=composer-submit-button]');
const stop = document.querySelector('[data-testid=stop-button]');
const fileInput = document.getElementById('upload-files');
const thumbs = document.getElementById('attachments');
const thread = document.getElementById('thread');
const shown = new Map();
let attachments = [];
let uploading = 0;
let controller = null;
const json = {'content-type': 'application/json'};

function refresh() {
  send.disabled = uploading > 0 || controller !== null ||
    (!composer.innerText.trim() && !attachments.length);
}

async function upload(file) {
  const created = await (await fetch('/backend-api/files', {method: 'POST', headers: json,
    body: JSON.stringify({file_name: file.name, file_size: file.size, use_case: 'multimodal'})})).json();
  await fetch(created.upload_url, {method: 'PUT', body: file,
    headers: {'x-ms-blob-type': 'BlockBlob', 'content-type': file.type}});
  const done = await (await fetch(`/backend-api/files/${created.file_id}/uploaded`,
    {method: 'POST', headers: json, body: '{}'})).json();
  const bitmap = await createImageBitmap(file).catch(() => null);
  const img = document.createElement('img');
  img.alt = 'Uploaded image'; img.src = done.download_url; img.width = 64;
  thumbs.append(img);
  return {id: created.file_id, name: file.name, mimeType: file.type, size: file.size,
          width: bitmap ? bitmap.width : null, height: bitmap ? bitmap.height : null,
          url: done.download_url};
}

async function attach(files) {
  for (const file of files) {
    uploading++; refresh();
    try { attachments.push(await upload(file)); } finally { uploading--; refresh(); }
  }
}

function turn(role, id) {
  const div = document.createElement('div');
  div.dataset.messageAuthorRole = role;
  if (id) div.dataset.messageId = id;
  thread.append(div);
  return div;
}

async function render(message) {
  const role = message.author.role;
  let div = shown.get(message.id);
  if (role === 'user') {
    if (div) return;
    div = turn('user', message.id);
    for (const part of message.content.parts) {
      if (typeof part === 'string') { div.append(part); continue; }
      const id = part.asset_pointer.replace('file-service://', '');
      const img = document.createElement('img');
      img.alt = 'Uploaded image'; img.width = 96;
      img.src = (await (await fetch(`/backend-api/files/${id}/download`)).json()).download_url;
      div.prepend(img);
    }
  } else if (role === 'assistant') {
    if (!div) div = turn('assistant', message.id);
    div.textContent = message.content.parts.join('');
  } else if (role === 'tool' && message.content.content_type === 'multimodal_text') {
    if (div) return;
    div = turn('assistant', message.id);
    for (const part of message.content.parts) {
      const id = part.asset_pointer.replace('file-service://', '');
      const img = document.createElement('img');
      img.alt = 'Generated image'; img.width = 256;
      img.src = (await (await fetch(`/backend-api/files/${id}/download`)).json()).download_url;
      div.append(img);
    }
  }
  shown.set(message.id, div);
}

function failure(text) {
  const div = turn('assistant');
  div.dataset.testid = 'error-message';
  div.className = 'text-token-text-error';
  div.textContent = text;
}

async function submit() {
  const text = composer.innerText.trim();
  if (send.disabled) return;
  const files = attachments;
  attachments = []; thumbs.replaceChildren(); composer.innerText = '';
  const parts = files.map(f => ({content_type: 'image_asset_pointer',
    asset_pointer: 'file-service://' + f.id, width: f.width, height: f.height, size_bytes: f.size}));
  parts.push(text);
  const message = {id: crypto.randomUUID(), author: {role: 'user'},
    content: {content_type: files.length ? 'multimodal_text' : 'text', parts},
    metadata: {attachments: files.map(f => ({id: f.id, name: f.name, mimeType: f.mimeType,
      size: f.size, width: f.width, height: f.height}))}};
  controller = new AbortController();
  send.hidden = true; stop.hidden = false; refresh();
  try {
    const response = await fetch('/backend-api/conversation', {method: 'POST', signal: controller.signal,
      headers: {...json, accept: 'text/event-stream'},
      body: JSON.stringify({action: 'next', messages: [message], conversation_id: conversationId,
        parent_message_id: parentId || crypto.randomUUID(), model: 'auto', gizmo_id: gizmoId})});
    if (response.status === 429) return failure((await response.json()).detail.message);
    if (response.status === 403) return failure('Verify you are human to continue.');
    if (!response.ok) return failure('Something went wrong. (' + response.status + ')');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const line = buffer.slice(0, cut).split('\n').filter(l => l.startsWith('data: '))
          .map(l => l.slice(6)).join('\n');
        buffer = buffer.slice(cut + 2);
        if (line === '[DONE]') continue;
        const parsed = JSON.parse(line);
        if (typeof parsed !== 'object') continue;  // `"v1"`: the delta encoding's announcement
        const data = parsed.v && parsed.v.message ? parsed.v : parsed;
        if (data.conversation_id && !conversationId) {
          conversationId = data.conversation_id;
          history.pushState(null, '', (gizmoId ? `/g/${gizmoId}` : '') + `/c/${conversationId}`);
        }
        if (data.message) {
          await render(data.message);
          if (data.message.status === 'finished_successfully') parentId = data.message.id;
        }
      }
    }
  } finally {
    controller = null; stop.hidden = true; send.hidden = false; refresh();
  }
}

async function load() {
  if (!conversationId) return;
  const tree = await (await fetch(`/backend-api/conversation/${conversationId}`)).json();
  let node = tree.current_node;
  const path = [];
  while (node) { path.unshift(tree.mapping[node].message); node = tree.mapping[node].parent; }
  for (const message of path) await render(message);
  parentId = tree.current_node;
}

composer.addEventListener('input', refresh);
composer.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); submit(); }
});
composer.addEventListener('paste', (event) => {
  const files = [...event.clipboardData.files].filter(f => f.type.startsWith('image/'));
  if (files.length) { event.preventDefault(); attach(files); }
});
fileInput.addEventListener('change', () => { attach([...fileInput.files]); fileInput.value = ''; });
send.addEventListener('click', submit);
stop.addEventListener('click', () => controller && controller.abort());
load().then(refresh);
