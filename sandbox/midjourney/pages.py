"""The HTML pages of the web origin: the imagine page when signed in, the login page if not.

The imagine page works by hand too: Enter in the imagine bar submits the prompt through the
same `/api/*` calls a browser adapter makes, and finished jobs show their four CDN images.
"""

from __future__ import annotations

import json

LOGIN_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - Midjourney</title></head>
<body>
<main>
  <h1>Midjourney</h1>
  <p>Sign in to start imagining.</p>
  <button type="button" id="login_button">Log In</button>
</main>
</body>
</html>
"""

_IMAGINE_SCRIPT = """
const userId = document.body.dataset.userId;
const cdnUrl = document.body.dataset.cdnUrl;
const bar = document.getElementById('desktop_input_bar');
const jobsList = document.getElementById('jobs');
const running = new Map();
const headers = {'content-type': 'application/json', 'x-csrf-protection': '1'};

async function api(path, body) {
  const response = await fetch(path, {method: 'POST', headers, body: JSON.stringify(body)});
  return response.json();
}

function addItem(text, jobId) {
  const item = document.createElement('li');
  item.className = 'sandbox-job';
  if (jobId) item.dataset.jobId = jobId;
  item.textContent = text;
  jobsList.prepend(item);
  return item;
}

async function submitPrompt() {
  const prompt = bar.value.trim();
  if (!prompt) return;
  bar.value = '';
  const result = await api('/api/submit-jobs', {
    f: {mode: 'fast', private: false}, channelId: 'singleplayer_' + userId, roomId: null,
    metadata: {}, t: 'imagine', prompt});
  for (const job of result.success || []) running.set(job.job_id, addItem(job.prompt, job.job_id));
  for (const failure of result.failure || []) addItem(failure.message).classList.add('failure');
  if (result.error) addItem(result.message || result.error).classList.add('failure');
}

async function poll() {
  if (running.size) {
    for (const job of await api('/api/job-status', {jobIds: [...running.keys()]})) {
      const item = running.get(job.id);
      item.dataset.status = job.current_status;
      if (job.current_status !== 'completed' && job.current_status !== 'failed') continue;
      running.delete(job.id);
      if (job.current_status !== 'completed') continue;
      for (let i = 0; i < 4; i++) {
        const img = document.createElement('img');
        img.src = cdnUrl + '/' + job.id + '/0_' + i + '.png';
        img.width = 128;
        item.append(img);
      }
    }
  }
  setTimeout(poll, 500);
}

document.getElementById('imagine_form').addEventListener('submit', (event) => {
  event.preventDefault();
  submitPrompt();
});
bar.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    submitPrompt();
  }
});
poll();
"""


def imagine_page(*, user_id: str, cdn_url: str) -> str:
    data = f"data-user-id={json.dumps(user_id)} data-cdn-url={json.dumps(cdn_url)}"
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Midjourney</title></head>
<body {data}>
<main>
  <form id="imagine_form">
    <textarea id="desktop_input_bar" placeholder="What will you imagine?" rows="2"></textarea>
  </form>
  <ul id="jobs"></ul>
</main>
<script>{_IMAGINE_SCRIPT}</script>
</body>
</html>
"""
