// ConvLab iframe sizer. Include once on a page (where scripts are allowed) that holds ConvLab
// iframes: each iframe whose page posts {type: 'convlab:height'} gets that height.
(function () {
  if (window.__convlabEmbed) return;
  window.__convlabEmbed = true;
  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!d || d.type !== 'convlab:height' || typeof d.height !== 'number') return;
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source) frames[i].style.height = Math.max(50, Math.ceil(d.height)) + 'px';
    }
  });
})();
