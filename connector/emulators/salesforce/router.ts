// Routes a REST request below /services/data/vXX.X to its resource. Used for HTTP requests and
// for Composite subrequests alike (which is why counting and authentication live in server.ts).

import { collectionsResource } from './collections.ts';
import { compositeBatchResource, compositeResource } from './composite.ts';
import type { Dispatch } from './composite.ts';
import { notFound } from './errors.ts';
import { limitsResource } from './limits.ts';
import type { ApiUsage } from './limits.ts';
import type { Org } from './org.ts';
import type { QueryCursors } from './query-resource.ts';
import { queryResource } from './query-resource.ts';
import type { RestRequest, RestResponse } from './rest-context.ts';
import { json } from './rest-context.ts';
import { methodNotAllowed, sobjectsResource } from './sobjects.ts';
import type { Streaming } from './streaming.ts';

export interface RouterDeps {
    org: Org;
    cursors: QueryCursors;
    apiUsage: ApiUsage;
    streaming: Streaming;
    identityUrl(userId: string): string;
}

function resources(apiVersion: string, identity: string): RestResponse {
    const base = `/services/data/v${apiVersion}`;
    return json(200, {
        tooling: `${base}/tooling`,
        metadata: `${base}/metadata`,
        eclair: `${base}/eclair`,
        folders: `${base}/folders`,
        prechatForms: `${base}/prechatForms`,
        chatter: `${base}/chatter`,
        tabs: `${base}/tabs`,
        appMenu: `${base}/appMenu`,
        quickActions: `${base}/quickActions`,
        queryAll: `${base}/queryAll`,
        commerce: `${base}/commerce`,
        wave: `${base}/wave`,
        analytics: `${base}/analytics`,
        search: `${base}/search`,
        identity,
        composite: `${base}/composite`,
        parameterizedSearch: `${base}/parameterizedSearch`,
        theme: `${base}/theme`,
        nouns: `${base}/nouns`,
        event: `${base}/event`,
        recent: `${base}/recent`,
        connect: `${base}/connect`,
        licensing: `${base}/licensing`,
        limits: `${base}/limits`,
        process: `${base}/process`,
        async: `${base}/async-queries`,
        query: `${base}/query`,
        match: `${base}/match`,
        emailConnect: `${base}/emailConnect`,
        compactLayouts: `${base}/compactLayouts`,
        knowledgeManagement: `${base}/knowledgeManagement`,
        sobjects: `${base}/sobjects`,
        actions: `${base}/actions`,
        support: `${base}/support`
    });
}

export interface RoutedResponse {
    response: RestResponse;
    extraCalls: number;
}

/** Dispatches one request; throws ApiError for errors the caller turns into error responses. */
export function route(deps: RouterDeps, request: RestRequest): RoutedResponse {
    const { org } = deps;
    const segments = request.path
        .split('/')
        .filter((segment) => segment !== '')
        .map(decodeURIComponent);
    const dispatch: Dispatch = (sub) => route(deps, sub).response;
    const [resource, ...rest] = segments;
    switch (resource) {
        case undefined:
            return { response: resources(request.apiVersion, deps.identityUrl(request.userId)), extraCalls: 0 };
        case 'sobjects':
            return { response: sobjectsResource(org, request, rest), extraCalls: 0 };
        case 'query':
        case 'queryAll':
            return { response: queryResource(org, deps.cursors, request, resource, rest), extraCalls: 0 };
        case 'limits':
            if (request.method !== 'GET') {
                throw methodNotAllowed(request.method, 'GET,HEAD');
            }
            return {
                response: json(
                    200,
                    limitsResource({
                        apiUsage: deps.apiUsage,
                        deliveredEvents: deps.streaming.delivered,
                        publishedEventsLastHour: deps.streaming.publishedLastHour(),
                        streamingClients: deps.streaming.clientCount(),
                        dataStorageMb: 0,
                        fileStorageMb: 0
                    })
                ),
                extraCalls: 0
            };
        case 'composite':
            if (rest.length === 0) {
                return { response: compositeResource(org, request, dispatch), extraCalls: 0 };
            }
            if (rest[0] === 'sobjects') {
                return { response: collectionsResource(org, request, rest.slice(1)), extraCalls: 0 };
            }
            if (rest[0] === 'batch' && rest.length === 1) {
                const outcome = compositeBatchResource(request, dispatch);
                return { response: outcome.response, extraCalls: outcome.extraCalls };
            }
            throw notFound();
        default:
            throw notFound();
    }
}
