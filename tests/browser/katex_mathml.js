// Reads a JSON list of [tex, display] on stdin; writes KaTeX's MathML for each as JSON.
const katex = require(process.argv[2]);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([tex, display]) =>
    katex.renderToString(tex, { output: "mathml", displayMode: display, throwOnError: false }));
  process.stdout.write(JSON.stringify(out));
});
