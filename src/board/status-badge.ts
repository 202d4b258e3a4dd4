/**
 * A badge as READMEs and wikis embed them (the flat style shields.io, Gatus and Uptime Kuma draw):
 * a grey label in white, a coloured value in near-black (legible on every status colour). Pure. Each text is fitted to its box with `textLength`, so the
 * width guessed from the number of characters is the width drawn, in any font.
 */
import { escapeMarkup } from './markup.js';

const CHAR_WIDTH = 7;
const PADDING = 10;
const HEIGHT = 20;
const LABEL_COLOUR = '#555';
const LABEL_TEXT = '#fff';
const VALUE_TEXT = '#0b0f14';

function boxWidth(text: string): number {
  return [...text].length * CHAR_WIDTH + 2 * PADDING;
}

export function badgeSvg(label: string, value: string, colour: string): string {
  const labelWidth = boxWidth(label);
  const valueWidth = boxWidth(value);
  const width = labelWidth + valueWidth;
  const title = escapeMarkup(`${label}: ${value}`);
  const text = (content: string, x: number, box: number, fill: string) =>
    `<text x="${x}" y="14" fill="${fill}" textLength="${box - 2 * PADDING}" lengthAdjust="spacingAndGlyphs">${escapeMarkup(content)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    `<rect width="${labelWidth}" height="${HEIGHT}" rx="3" fill="${LABEL_COLOUR}"/>`,
    `<rect x="${labelWidth}" width="${valueWidth}" height="${HEIGHT}" rx="3" fill="${escapeMarkup(colour)}"/>`,
    `<rect x="${labelWidth}" width="4" height="${HEIGHT}" fill="${escapeMarkup(colour)}"/>`,
    '<g font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">',
    text(label, PADDING, labelWidth, LABEL_TEXT),
    text(value, labelWidth + PADDING, valueWidth, VALUE_TEXT),
    '</g>',
    '</svg>',
  ].join('');
}
