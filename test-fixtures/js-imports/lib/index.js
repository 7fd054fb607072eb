// A folder imported by its index.
exports.handler = function handler(event) {
  return event;
};
