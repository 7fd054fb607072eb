// Tasks as a CommonJS module.
function work(x) {
  return x;
}

module.exports = { work };
