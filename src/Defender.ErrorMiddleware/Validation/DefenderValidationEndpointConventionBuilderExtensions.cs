using Defender.ErrorMiddleware.Validation;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Defender request validation to minimal-API endpoints.</summary>
public static class DefenderValidationEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Prefer .NET 10's <c>builder.Services.AddValidation()</c>: the framework then validates every minimal-API endpoint
    /// (source-generated) and <c>AddDefenderErrors()</c> answers its failures with the Defender codes (<c>[FileHash]</c> →
    /// InvalidHashValue, <c>[Required]</c> → MissingRequiredParameter…), and this call adds nothing. Without
    /// <c>AddValidation()</c>, it validates the endpoints' arguments with their DataAnnotations and the Defender attributes
    /// itself and answers the first failure with the envelope. Apply it to a group
    /// (<c>app.MapGroup("/api").WithDefenderValidation()</c>) or one endpoint; endpoints with nothing to validate are left
    /// exactly as they were. Binding failures, malformed bodies and missing required body members need neither: they are
    /// handled for every endpoint by <c>AddDefenderErrors()</c>. See docs/validation.md.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder WithDefenderValidation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilterFactory(DefenderValidationEndpointFilter.Create);
    }
}
