/**
 * Bounds on what one GraphQL operation may ask for, checked while parsing and validating,
 * before any resolver runs. One list of envelop plugins serves HTTP (Yoga) and WebSocket.
 * A refused operation answers GRAPHQL_VALIDATION_FAILED (HTTP 400 for
 * application/graphql-response+json) with `extensions.limit` naming the setting.
 */
import type { Plugin } from '@envelop/core';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { GraphQLExposureConfig, OperationLimitsConfig } from '../config.ts';

type ArmorRefusal = Pick<NonNullable<Parameters<typeof maxDepthPlugin>[0]>, 'onReject' | 'propagateOnRejection'>;

export interface OperationLimitSettings {
  operationLimits: OperationLimitsConfig;
  exposure: GraphQLExposureConfig;
}

/**
 * The envelop plugins for every GraphQL transport: the token count while parsing; depth,
 * aliases, directives and cost while validating; in production (unless configured
 * otherwise) no introspection and no field suggestions. HTTP-only bounds (body size,
 * batching, CSRF) are Yoga options, not here.
 */
export function createOperationLimitPlugins({ operationLimits: limits, exposure }: OperationLimitSettings): Plugin[] {
  const plugins: Plugin[] = [
    maxTokensPlugin({ n: limits.maxTokens, ...refuseAs('MAX_QUERY_TOKENS') }),
    maxDepthPlugin({ n: limits.maxDepth, ...refuseAs('MAX_QUERY_DEPTH') }),
    maxAliasesPlugin({ n: limits.maxAliases, ...refuseAs('MAX_ALIASES') }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...refuseAs('MAX_DIRECTIVES') }),
    costLimitPlugin({ maxCost: limits.maxCost, ...refuseAs('MAX_QUERY_COST') }),
  ];
  if (!exposure.introspection) plugins.push(disableIntrospection());
  if (!exposure.fieldSuggestions) plugins.push(blockFieldSuggestionsPlugin({ mask: '' }));
  return plugins;
}

/**
 * Armor reports a refusal as a "Syntax Error" without a code; report it instead as a
 * validation error naming the setting (the token count is checked while parsing, where
 * there is no validation context, so that one is thrown).
 */
function refuseAs(setting: string): ArmorRefusal {
  return {
    propagateOnRejection: false,
    onReject: [
      (context, armorError) => {
        const error = new GraphQLError(armorError.message.replace(/^Syntax Error: /, ''), {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: setting, http: { status: 400, spec: true } },
        });
        if (!context) throw error;
        context.reportError(error);
      },
    ],
  };
}

/** Refuses `__schema` and `__type` (graphql-js' rule); `__typename` stays allowed. */
function disableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
