/**
 * The sandbox's stand-in for WeChat's JS-SDK (`jweixin-1.6.0.js`), served at
 * `/sandbox/jweixin.js`. It exposes the same `wx` object the H5 pages use, and behaves like the
 * platform where it matters to them:
 * - `wx.config` is verified by the simulator (`POST /sandbox/api/jssdk/verify`) against its current
 *   jsapi_ticket; the URL checked is the one WeChat would check (PROTOCOL §6): on iOS the URL the
 *   page was *landed* on, elsewhere the current one. A mismatch fires `wx.error` with
 *   `config:invalid signature`, as WeChat does.
 * - an API called before a successful config fails with WeChat's "offline verifying" message, one
 *   missing from `jsApiList` with `permission denied`.
 * - `wx.openLocation` shows a map card over the page (WeChat opens its own map view).
 * Plain ES5 so it runs in any browser the pages support; no build step.
 */
export const JWEIXIN_STANDIN_JS = String.raw`/* WeChat JS-SDK stand-in (sandbox) */
(function () {
  'use strict';
  if (window.wx && window.wx.__sandbox) return;
  var VERIFY_URL = '/sandbox/api/jssdk/verify';
  function signable(u) { return String(u).split('#')[0]; }
  // The document's first address: what iOS WeChat keeps verifying after history.pushState.
  var landing = (function () {
    try {
      var nav = performance.getEntriesByType('navigation')[0];
      if (nav && nav.name) return signable(nav.name);
    } catch (e) { /* old browser */ }
    return signable(location.href);
  })();
  var isIOS = /iPhone|iPad|iPod/i.test(navigator.userAgent);
  var state = 'idle';
  var allowed = [];
  var readyFns = [];
  var errorFns = [];
  var failure = null;

  function later(fn, arg) { setTimeout(function () { fn(arg); }, 0); }
  function finish(opts, res) {
    opts = opts || {};
    var ok = /:ok$/.test(res.errMsg);
    try {
      if (ok && typeof opts.success === 'function') opts.success(res);
      if (!ok && typeof opts.fail === 'function') opts.fail(res);
      if (typeof opts.complete === 'function') opts.complete(res);
    } catch (e) { setTimeout(function () { throw e; }, 0); }
  }
  function permitted(api, opts) {
    if (state !== 'ok') { finish(opts, { errMsg: api + ':the permission value is offline verifying' }); return false; }
    if (allowed.indexOf(api) === -1) { finish(opts, { errMsg: api + ':permission denied' }); return false; }
    return true;
  }

  function closeCard() {
    var old = document.getElementById('wx-sandbox-location');
    if (old && old.parentNode) old.parentNode.removeChild(old);
  }
  function text(tag, value, style) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (style) el.setAttribute('style', style);
    return el;
  }
  function showLocation(o) {
    closeCard();
    var back = document.createElement('div');
    back.id = 'wx-sandbox-location';
    back.setAttribute('role', 'dialog');
    back.setAttribute('aria-modal', 'true');
    back.setAttribute('aria-label', '位置：' + (o.name || '地图'));
    back.setAttribute('style', 'position:fixed;inset:0;z-index:2147483647;background:#ededed;display:flex;flex-direction:column;font:16px/1.5 -apple-system,sans-serif;color:#111');
    var map = document.createElement('div');
    map.setAttribute('aria-hidden', 'true');
    map.setAttribute('style', 'flex:1;position:relative;background-color:#e8f0e0;background-image:linear-gradient(#fff 2px,transparent 2px),linear-gradient(90deg,#fff 2px,transparent 2px);background-size:48px 48px');
    map.appendChild(text('div', '📍', 'position:absolute;left:50%;top:45%;transform:translate(-50%,-100%);font-size:40px'));
    back.appendChild(map);
    var card = document.createElement('div');
    card.setAttribute('style', 'background:#fff;padding:16px 16px calc(16px + env(safe-area-inset-bottom));border-radius:12px 12px 0 0');
    card.appendChild(text('h2', o.name || '位置', 'margin:0 0 4px;font-size:20px'));
    if (o.address) card.appendChild(text('p', o.address, 'margin:0 0 4px'));
    card.appendChild(text('p', '纬度 ' + o.latitude + '，经度 ' + o.longitude, 'margin:0 0 4px;color:#555;font-size:14px'));
    card.appendChild(text('p', '沙箱模拟地图：真实微信在此打开地图和导航。', 'margin:0 0 12px;color:#555;font-size:14px'));
    var close = text('button', '关闭', 'width:100%;padding:12px;font-size:17px;border:0;border-radius:8px;background:#07c160;color:#fff');
    close.type = 'button';
    var opener = document.activeElement;
    function done() {
      closeCard();
      document.removeEventListener('keydown', onKey);
      if (opener && opener.focus) opener.focus();
    }
    function onKey(e) { if (e.key === 'Escape') done(); }
    close.addEventListener('click', done);
    document.addEventListener('keydown', onKey);
    card.appendChild(close);
    back.appendChild(card);
    document.body.appendChild(back);
    close.focus();
  }

  var wx = {
    __sandbox: true,
    config: function (c) {
      c = c || {};
      state = 'verifying';
      failure = null;
      var body = {
        appId: String(c.appId || ''),
        timestamp: String(c.timestamp || ''),
        nonceStr: String(c.nonceStr || ''),
        signature: String(c.signature || ''),
        url: isIOS ? landing : signable(location.href),
        jsApiList: Array.isArray(c.jsApiList) ? c.jsApiList.map(String) : []
      };
      fetch(VERIFY_URL, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (json) { return (json && json.data) || { errMsg: 'config:fail' }; }, function () { return { errMsg: 'config:fail' }; })
        .then(function (res) {
          if (res.errMsg === 'config:ok') {
            state = 'ok';
            allowed = body.jsApiList;
            var fns = readyFns; readyFns = [];
            fns.forEach(function (fn) { later(fn); });
          } else {
            state = 'failed';
            failure = res;
            errorFns.forEach(function (fn) { later(fn, res); });
          }
        });
    },
    ready: function (fn) { if (state === 'ok') later(fn); else readyFns.push(fn); },
    error: function (fn) { errorFns.push(fn); if (state === 'failed') later(fn, failure); },
    checkJsApi: function (o) {
      o = o || {};
      var result = {};
      (o.jsApiList || []).forEach(function (api) { result[api] = api === 'openLocation'; });
      finish(o, { errMsg: 'checkJsApi:ok', checkResult: result });
    },
    openLocation: function (o) {
      o = o || {};
      if (!permitted('openLocation', o)) return;
      var lat = Number(o.latitude), lng = Number(o.longitude);
      if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
        finish(o, { errMsg: 'openLocation:fail, invalid latitude or longitude' });
        return;
      }
      showLocation({ latitude: lat, longitude: lng, name: o.name ? String(o.name) : '', address: o.address ? String(o.address) : '' });
      finish(o, { errMsg: 'openLocation:ok' });
    }
  };
  window.wx = window.jWeixin = wx;
})();
`;
