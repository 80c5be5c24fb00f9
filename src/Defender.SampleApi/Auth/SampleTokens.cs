using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Auth;

/// <summary>The sample's bearer scheme and the start-up check of its tokens.</summary>
internal static class SampleTokens
{
    /// <summary>Outside Development a token must be at least this long, so a development token or a guessable word fails the start.</summary>
    public const int MinimumProductionLength = 32;

    public static IServiceCollection AddSampleBearerTokens(this IServiceCollection services)
    {
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddSingleton<IValidateOptions<SampleApiOptions>, TokenValidator>();
        services.AddOptions<SampleApiOptions>().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Refuses to start with a token that has no identity name (or whose name is the token, which would then be shown to
    /// every reader), and, outside Development, without tokens or with a short one such as the development tokens.
    /// </summary>
    private sealed class TokenValidator(IHostEnvironment environment) : IValidateOptions<SampleApiOptions>
    {
        public ValidateOptionsResult Validate(string? name, SampleApiOptions options)
        {
            List<string> failures = [];
            var development = environment.IsDevelopment();
            if (!development && options.Tokens.Count == 0)
            {
                failures.Add($"SampleApi:Tokens is empty: outside Development the sample needs its tokens configured (the development tokens only work in Development); see docs/sample.md.");
            }

            var index = 0;
            foreach (var (token, grant) in options.Tokens)
            {
                // Failures name the token by its position, never by its value: the message reaches logs.
                index++;
                if (string.IsNullOrWhiteSpace(grant.Name) || string.Equals(grant.Name.Trim(), token.Trim(), StringComparison.Ordinal))
                {
                    failures.Add($"SampleApi:Tokens: token #{index} needs a Name (the identity actions and indicators record), other than the token itself.");
                }

                if (string.IsNullOrWhiteSpace(grant.Tenant))
                {
                    failures.Add($"SampleApi:Tokens: token #{index} ({grant.Name}) needs a Tenant.");
                }

                if (!development && token.Length < MinimumProductionLength)
                {
                    failures.Add($"SampleApi:Tokens: token #{index} ({grant.Name}) is shorter than {MinimumProductionLength} characters: outside Development the development tokens and other guessable ones are refused.");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
