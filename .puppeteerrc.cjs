// @memlab/core (a dev dependency, the independent heap snapshot loader our tests compare with)
// pulls in puppeteer, whose install step downloads a browser. We never use that browser — the
// browser tests drive Debian's Chromium — and the download is impossible on closed networks.
module.exports = { skipDownload: true };
