// sysparm_limit / sysparm_offset over a selected list, with the X-Total-Count and Link headers
// (rel first, prev, next, last) that the Table and Attachment APIs answer.

export interface Page<T> {
    items: T[];
    headers: Record<string, string>;
}

function nonNegative(value: string | null, fallback: number): number {
    if (value === null || !/^\d+$/.test(value)) {
        return fallback;
    }
    return Number(value);
}

export function page<T>(all: readonly T[], url: URL, baseUrl: string, defaultLimit: number): Page<T> {
    const limit = Math.max(1, nonNegative(url.searchParams.get('sysparm_limit'), defaultLimit));
    const offset = nonNegative(url.searchParams.get('sysparm_offset'), 0);
    const items = all.slice(offset, offset + limit);
    const link = (at: number): string => {
        const target = new URL(url.pathname + url.search, baseUrl);
        target.searchParams.set('sysparm_limit', String(limit));
        target.searchParams.set('sysparm_offset', String(at));
        return `<${target.toString()}>`;
    };
    const last = all.length === 0 ? 0 : Math.floor((all.length - 1) / limit) * limit;
    const links = [`${link(0)};rel="first"`];
    if (offset > 0) {
        links.push(`${link(Math.max(0, offset - limit))};rel="prev"`);
    }
    if (offset + limit < all.length) {
        links.push(`${link(offset + limit)};rel="next"`);
    }
    links.push(`${link(last)};rel="last"`);
    const headers: Record<string, string> = { 'X-Total-Count': String(all.length) };
    if (url.searchParams.get('sysparm_suppress_pagination_header') !== 'true') {
        headers.Link = links.join(',');
    }
    return { items, headers };
}
