import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage();
const a1 = readFileSync(process.argv[2]).toString('base64');
const a2 = readFileSync(process.argv[3]).toString('base64');
const r = await p.evaluate(async ([x, y]) => {
  const load = (s) => new Promise((res) => { const i = new Image(); i.onload = () => res(i); i.src = `data:image/png;base64,${s}`; });
  const [i1, i2] = await Promise.all([load(x), load(y)]);
  const c = (i) => { const cv = document.createElement('canvas'); cv.width = i.width; cv.height = i.height; const g = cv.getContext('2d'); g.drawImage(i, 0, 0); return g.getImageData(0, 0, i.width, i.height).data; };
  const d1 = c(i1), d2 = c(i2);
  let minX = 1e9, minY = 1e9, maxX = -1, maxY = -1;
  for (let k = 0; k < d1.length; k += 4) if (d1[k] !== d2[k] || d1[k+1] !== d2[k+1] || d1[k+2] !== d2[k+2]) { const px = (k / 4) % i1.width, py = Math.floor(k / 4 / i1.width); minX = Math.min(minX, px); maxX = Math.max(maxX, px); minY = Math.min(minY, py); maxY = Math.max(maxY, py); }
  return { size: [i1.width, i1.height, i2.width, i2.height], box: [minX, minY, maxX, maxY] };
}, [a1, a2]);
console.log(JSON.stringify(r));
await b.close();
