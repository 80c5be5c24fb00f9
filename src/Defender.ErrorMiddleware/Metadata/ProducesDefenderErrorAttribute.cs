using Defender.ErrorMiddleware.Catalog;
using Defender.ErrorMiddleware.Metadata;

namespace Defender.ErrorMiddleware;

/// <summary>
/// Declares error codes an endpoint produces beyond those inferred from its parameters and authorization
/// (or, with <see cref="Exclude"/>, codes it never produces), so OpenAPI documents list them.
/// Use it on controllers and actions, or add it as endpoint metadata; for minimal APIs
/// <c>.ProducesDefenderError(...)</c> and <c>.ExcludeDefenderError(...)</c> do the same.
/// </summary>
/// <remarks>Declarations apply in metadata order (controller, then action, then endpoint conventions): the last one wins.</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class ProducesDefenderErrorAttribute : Attribute, IProducesDefenderErrorMetadata
{
    private readonly string[] _codes;

    /// <summary>Declares documented codes.</summary>
    /// <param name="codes">The codes, e.g. <see cref="DefenderErrorCode.DisabledFeature"/>.</param>
    public ProducesDefenderErrorAttribute(params DefenderErrorCode[] codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        foreach (var code in codes)
        {
            if (!Enum.IsDefined(code))
            {
                throw new ArgumentOutOfRangeException(nameof(codes), code, "Not a documented DefenderErrorCode.");
            }
        }

        _codes = [.. codes.Select(DefenderErrorCatalog.Name)];
    }

    /// <summary>Declares codes by name: documented ones or ones the application registered with <see cref="DefenderErrorOptions.AddErrorCode(string, int, string)"/>.</summary>
    /// <param name="codeNames">The code names, case-sensitive (e.g. <c>ActiveRequestAlreadyExists</c>).</param>
    public ProducesDefenderErrorAttribute(params string[] codeNames)
    {
        ArgumentNullException.ThrowIfNull(codeNames);
        foreach (var name in codeNames)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(codeNames));
        }

        _codes = [.. codeNames];
    }

    /// <summary>The declared code names.</summary>
    public IReadOnlyList<string> Codes => _codes;

    /// <summary>
    /// Whether the codes are removed from the endpoint's documented errors instead of added
    /// (e.g. a route parameter that never causes ResourceNotFound). Default: <see langword="false"/>.
    /// </summary>
    public bool Exclude { get; set; }
}
