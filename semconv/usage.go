package semconv

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/tracebridge/tracebridge/record"
)

// Metadata keys for the token counts some dialects report beside input and output. They
// are subsets (cache reads and writes of the input, reasoning of the output), recorded as
// reported and never added to input_tokens or output_tokens.
const (
	MetaCacheReadInputTokens     = "cache_read_input_tokens"     // integer
	MetaCacheCreationInputTokens = "cache_creation_input_tokens" // integer
	MetaReasoningOutputTokens    = "reasoning_output_tokens"     // integer
	// MetaInputTokensIncludeCache is true when the dialect that reported the cache reads
	// defines them as part of input_tokens (OTel GenAI, OpenInference, AI SDK 6). It is absent
	// when the dialect does not say (Anthropic-named keys, AI SDK 5's cachedInputTokens),
	// because providers differ there: it is not guessed.
	MetaInputTokensIncludeCache = "input_tokens_include_cache" // boolean
)

// Usage dialects in precedence order. Input, output and total come from one dialect, the
// first that reports input or output: mixing would pair one SDK's input with another's total.
var usageDialects = []struct{ in, out, total []attribute.Key }{
	{ // OTel GenAI (≤1.26 names after the current ones); OpenLLMetry puts its total beside them
		in:    []attribute.Key{GenAIUsageInputTokens, GenAIUsagePromptTokens},
		out:   []attribute.Key{GenAIUsageOutputTokens, GenAIUsageCompletionTokens},
		total: []attribute.Key{GenAIUsageTotalTokens, LLMUsageTotalTokens},
	},
	{ // OpenInference
		in: []attribute.Key{OITokenCountPrompt}, out: []attribute.Key{OITokenCountCompletion},
		total: []attribute.Key{OITokenCountTotal},
	},
	{ // Vercel AI SDK 5+, then ≤4; embeddings report ai.usage.tokens
		in:    []attribute.Key{AIUsageInputTokens, AIUsagePromptTokens, AIUsageTokens},
		out:   []attribute.Key{AIUsageOutputTokens, AIUsageCompletionTokens},
		total: []attribute.Key{AIUsageTotalTokens},
	},
	{ // old OpenLLMetry Go SDK
		in: []attribute.Key{LLMUsagePromptTokens}, out: []attribute.Key{LLMUsageCompletionTokens},
		total: []attribute.Key{LLMUsageTotalTokens},
	},
}

var (
	// Cache reads: keys whose dialect counts them inside the input come first.
	cacheReadKeys = []struct {
		key      attribute.Key
		included bool
	}{
		{GenAIUsageCacheReadInputTokens, true},
		{OITokenCountCacheRead, true},
		{AIUsageCacheReadTokens, true},
		{GenAIUsageCacheReadInputTokensAlt, false},
		{AIUsageCachedInputTokens, false},
	}
	cacheCreationKeys = []attribute.Key{
		GenAIUsageCacheCreationInputTokens, OITokenCountCacheWrite, AIUsageCacheWriteTokens,
		GenAIUsageCacheCreationInputTokensAlt,
	}
	reasoningTokenKeys = []attribute.Key{
		GenAIUsageReasoningOutputTokens, OITokenCountReasoning, AIUsageReasoningTokensV6,
		AIUsageReasoningTokens,
	}
)

// Usage is a generation's token usage.
type Usage struct {
	Input, Output, Total int64
}

// usage is the span's own token usage, and only a generation has usage of its own: agent,
// workflow and chain spans (and the Vercel AI SDK's outer call, which is no record) report
// the sum of the calls below them, which the message already counts once. Input and output
// come from the first key present; total is the explicit total, else their sum.
func (st *step) usage() (Usage, bool) {
	if st.task != record.TaskGeneration {
		return Usage{}, false
	}
	return tokenUsage(st.a)
}

func tokenUsage(a attrs) (Usage, bool) {
	for _, d := range usageDialects {
		in, hasIn := a.count(d.in...)
		out, hasOut := a.count(d.out...)
		if !hasIn && !hasOut {
			continue
		}
		total, hasTotal := a.count(d.total...)
		if !hasTotal {
			total = in + out
		}
		return Usage{Input: in, Output: out, Total: total}, true
	}
	return Usage{}, false
}

// count returns the first value of keys that reads as a token count.
func (a attrs) count(keys ...attribute.Key) (int64, bool) {
	for _, k := range keys {
		if v, ok := a.get(k); ok {
			if n, ok := valueCount(v); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// usageMetadata adds a generation's token counts to its metadata.
func usageMetadata(st *step, m map[string]any) {
	u, ok := st.usage()
	if !ok {
		return
	}
	m[record.MetaInputTokens] = u.Input
	m[record.MetaOutputTokens] = u.Output
	m[record.MetaTotalTokens] = u.Total
	for _, c := range cacheReadKeys {
		if v, ok := st.a.get(c.key); ok {
			if n, ok := valueCount(v); ok {
				m[MetaCacheReadInputTokens] = n
				if c.included {
					m[MetaInputTokensIncludeCache] = true
				}
				break
			}
		}
	}
	if n, ok := st.a.count(cacheCreationKeys...); ok {
		m[MetaCacheCreationInputTokens] = n
	}
	if n, ok := st.a.count(reasoningTokenKeys...); ok {
		m[MetaReasoningOutputTokens] = n
	}
}
