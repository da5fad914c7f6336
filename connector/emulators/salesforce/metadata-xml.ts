// Reads Salesforce source-format metadata files (`*.object-meta.xml`, `*.field-meta.xml`) into a
// small element tree with sax, enough for the schema to read the elements it needs.

import { readFileSync } from 'node:fs';
import sax from 'sax';

export interface XmlElement {
    name: string;
    text: string;
    children: XmlElement[];
}

export function parseXml(text: string): XmlElement {
    const parser = sax.parser(true, { trim: false });
    const root: XmlElement = { name: '#document', text: '', children: [] };
    const stack: XmlElement[] = [root];
    let failure: Error | undefined;
    parser.onopentag = (tag) => {
        const element: XmlElement = { name: tag.name, text: '', children: [] };
        stack[stack.length - 1].children.push(element);
        stack.push(element);
    };
    parser.onclosetag = () => {
        stack.pop();
    };
    parser.ontext = (chunk) => {
        stack[stack.length - 1].text += chunk;
    };
    parser.oncdata = (chunk) => {
        stack[stack.length - 1].text += chunk;
    };
    parser.onerror = (error) => {
        failure = error;
    };
    parser.write(text).close();
    if (failure) {
        throw failure;
    }
    const [document] = root.children;
    if (!document) {
        throw new Error('empty XML document');
    }
    return document;
}

export function readXmlFile(path: string): XmlElement {
    return parseXml(readFileSync(path, 'utf8'));
}

/** Trimmed text of the first child element with that name, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
    const child = element.children.find((candidate) => candidate.name === name);
    return child === undefined ? undefined : child.text.trim();
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
    return element.children.find((candidate) => candidate.name === name);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
    return element.children.filter((candidate) => candidate.name === name);
}
