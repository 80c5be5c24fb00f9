namespace Microsoft.AspNetCore.Builder;

/// <summary>Formerly Defender's own DataAnnotations runner for minimal APIs; .NET 10's validation replaces it.</summary>
public static class DefenderValidationEndpointConventionBuilderExtensions
{
    internal const string ObsoleteMessage =
        "Call builder.Services.AddValidation() (.NET 10) instead: the framework validates every minimal-API endpoint and AddDefenderErrors() answers its failures with the Defender codes. This method does nothing and will be removed in the next major version.";

    /// <summary>Does nothing: call <c>builder.Services.AddValidation()</c>. Without it, the application logs one startup warning naming the endpoints whose validation attributes nothing checks. See docs/validation.md.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The same builder.</returns>
    [Obsolete(ObsoleteMessage)]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static TBuilder WithDefenderValidation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
