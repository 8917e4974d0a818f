// The first-run setup screen (plain HTML and a small script; it talks to main only through window.hallSetup).
// Kept as strings so the build needs no bundler step for it and the protocol handler serves it from memory.

export const SETUP_PAGE_HTML = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>设备设置 · Device setup</title>
<style>
  body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f4f6fa; color: #1b1f29; }
  main { max-width: 560px; margin: 32px auto; background: #fff; padding: 24px 32px; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
  h1 { font-size: 22px; margin: 0 0 4px; } .sub { color: #556; margin: 0 0 20px; font-size: 14px; }
  label { display: block; margin: 14px 0 4px; font-weight: 600; } small { color: #667; font-weight: 400; }
  input, select { width: 100%; box-sizing: border-box; font-size: 16px; padding: 8px; border: 1px solid #bbc; border-radius: 4px; }
  .row { display: flex; gap: 12px; margin-top: 22px; } button { font-size: 16px; padding: 10px 18px; border-radius: 4px; border: 1px solid #0b3d91; background: #fff; color: #0b3d91; cursor: pointer; }
  button.primary { background: #0b3d91; color: #fff; } button:disabled { opacity: .5; cursor: wait; }
  #status { margin-top: 18px; min-height: 24px; font-size: 15px; } .ok { color: #0a7a2f; } .error { color: #b00020; }
  [hidden] { display: none !important; }
</style></head>
<body><main>
  <h1>设备设置 <small>Device setup</small></h1>
  <p class="sub">填写大厅服务器地址和管理员提供的配对令牌。The token is stored encrypted on this machine.</p>
  <form id="setup" autocomplete="off">
    <label for="role">本机用途 <small>Role</small></label>
    <select id="role" required>
      <option value="kiosk">取号机 Kiosk</option>
      <option value="counter">窗口叫号终端 Counter terminal</option>
      <option value="display">综合屏 Hall display</option>
      <option value="counter-display">窗口屏 Counter display</option>
      <option value="evaluator">评价器 Evaluator</option>
      <option value="manager">大厅管理 Manager</option>
      <option value="all-in-one">一体机（本机运行服务器）All-in-one</option>
    </select>
    <div id="screen-field" hidden>
      <label for="screen">一体机显示的界面 <small>Screen</small></label>
      <select id="screen">
        <option value="kiosk">取号机 Kiosk</option><option value="counter">窗口叫号终端 Counter</option>
        <option value="display">综合屏 Hall display</option><option value="counter-display">窗口屏 Counter display</option>
        <option value="evaluator">评价器 Evaluator</option><option value="manager">大厅管理 Manager</option>
      </select>
    </div>
    <div id="server-field">
      <label for="server">服务器地址 <small>Server address</small></label>
      <input id="server" placeholder="http://192.168.1.10:8080" inputmode="url">
    </div>
    <label for="token">配对令牌 <small>Pairing token</small></label>
    <input id="token" type="password" required>
    <div id="counter-field" hidden>
      <label for="counter">窗口号 <small>Counter number</small></label>
      <input id="counter" type="number" min="1" max="9999">
    </div>
    <div id="printer-field" hidden>
      <label for="printer">号票打印机 <small>Ticket printer</small></label>
      <select id="printer"><option value="">（不打印 / none）</option></select>
    </div>
    <div class="row">
      <button type="button" id="verify">检查连接 Check</button>
      <button type="submit" id="save" class="primary">保存并启动 Save and start</button>
    </div>
    <div id="status" role="status" aria-live="polite"></div>
  </form>
</main><script src="setup.js"></script></body></html>
`;

export const SETUP_PAGE_SCRIPT = `'use strict';
(function () {
  var api = window.hallSetup;
  var $ = function (id) { return document.getElementById(id); };
  var status = $('status');
  function say(text, kind) { status.textContent = text; status.className = kind || ''; }
  if (!api) { say('设置接口不可用 / setup API unavailable', 'error'); return; }

  function screen() { return $('role').value === 'all-in-one' ? $('screen').value : $('role').value; }
  function refresh() {
    var allInOne = $('role').value === 'all-in-one';
    $('screen-field').hidden = !allInOne;
    $('server-field').hidden = allInOne;
    $('counter-field').hidden = screen() !== 'counter-display';
    $('printer-field').hidden = screen() !== 'kiosk';
  }
  function input() {
    var value = { role: $('role').value, serverUrl: $('server').value || (defaults && defaults.serverUrl) || '', token: $('token').value };
    if (value.role === 'all-in-one') value.screen = $('screen').value;
    if (screen() === 'kiosk' && $('printer').value) value.printerName = $('printer').value;
    if (screen() === 'counter-display' && $('counter').value) value.counterNumber = Number($('counter').value);
    return value;
  }
  function busy(on) { $('verify').disabled = on; $('save').disabled = on; }
  function run(action, doneText) {
    busy(true); say('正在检查… / checking…');
    action(input()).then(function (answer) {
      busy(false);
      if (answer.ok) say(doneText + '（' + answer.data.serverUrl + '，营业日 ' + answer.data.businessDate + '）', 'ok');
      else say(answer.error.message, 'error');
    }, function () { busy(false); say('检查失败 / check failed', 'error'); });
  }

  var defaults = null;
  api.defaults().then(function (answer) {
    if (!answer.ok) return;
    defaults = answer.data;
    if (defaults.role) $('role').value = defaults.role;
    if (defaults.screen) $('screen').value = defaults.screen;
    if (defaults.serverUrl) $('server').value = defaults.serverUrl;
    if (defaults.counterNumber) $('counter').value = String(defaults.counterNumber);
    refresh();
    return api.printers().then(function (printers) {
      if (!printers.ok) return;
      printers.data.forEach(function (p) {
        var option = document.createElement('option');
        option.value = p.name;
        option.textContent = p.displayName || p.name;
        $('printer').appendChild(option);
      });
      if (defaults.printerName) $('printer').value = defaults.printerName;
    });
  });
  $('role').addEventListener('change', refresh);
  $('screen').addEventListener('change', refresh);
  $('verify').addEventListener('click', function () { run(api.verify, '连接正常，令牌有效'); });
  $('setup').addEventListener('submit', function (event) { event.preventDefault(); run(api.save, '已保存，正在启动'); });
  refresh();
})();
`;
