using System.Collections;
using System.ComponentModel.DataAnnotations;
using Defender.ErrorMiddleware.Validation;

namespace Defender.ErrorMiddleware;

/// <summary>
/// The value (a string, or each string of a collection) must be a file hash: hexadecimal digits of the right length.
/// Failure: 400 InvalidHashValue <c>Hash value &lt;x&gt; is invalid.</c> <see langword="null"/> is valid (add <c>[Required]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class FileHashAttribute : ValidationAttribute, IDefenderValidationAttribute
{
    /// <summary>The code a failure answers with; the OpenAPI packages document it for endpoints that use the attribute.</summary>
    DefenderErrorCode Metadata.IDefenderErrorCodeSource.Code => DefenderErrorCode.InvalidHashValue;

    /// <summary>Accepts any of SHA1, SHA256 and MD5.</summary>
    public FileHashAttribute() : this(DefenderHashKind.Any)
    {
    }

    /// <summary>Accepts one hash kind.</summary>
    /// <param name="kind">The hash kind.</param>
    public FileHashAttribute(DefenderHashKind kind) => Kind = kind;

    /// <summary>The hash kind accepted.</summary>
    public DefenderHashKind Kind { get; }

    /// <inheritdoc/>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        DefenderAttributeSupport.ToResult(this, value, validationContext);

    bool IDefenderValidationAttribute.TryValidate(object? value, out DefenderError error) =>
        DefenderAttributeSupport.ValidateStrings(value, this, static (attribute, text) => DefenderValidators.IsHash(text, attribute.Kind), DefenderError.InvalidHashValue, out error);
}

/// <summary>
/// The value (a string, or each string of a collection) must be a domain name; internationalized names are accepted.
/// Failure: 400 InvalidDomainName <c>Domain name &lt;x&gt; is invalid.</c> <see langword="null"/> is valid.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class DomainNameAttribute : ValidationAttribute, IDefenderValidationAttribute
{
    /// <summary>The code a failure answers with; the OpenAPI packages document it for endpoints that use the attribute.</summary>
    DefenderErrorCode Metadata.IDefenderErrorCodeSource.Code => DefenderErrorCode.InvalidDomainName;

    /// <inheritdoc/>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        DefenderAttributeSupport.ToResult(this, value, validationContext);

    bool IDefenderValidationAttribute.TryValidate(object? value, out DefenderError error) =>
        DefenderAttributeSupport.ValidateStrings(value, this, static (_, text) => DefenderValidators.IsDomainName(text), DefenderError.InvalidDomainName, out error);
}

/// <summary>
/// The value (a string, or each string of a collection) must be an IPv4 address in dotted-decimal form or an IPv6 address.
/// Failure: 400 InvalidIpAddress <c>IP address &lt;x&gt; is invalid.</c> <see langword="null"/> is valid.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class IpAddressAttribute : ValidationAttribute, IDefenderValidationAttribute
{
    /// <summary>The code a failure answers with; the OpenAPI packages document it for endpoints that use the attribute.</summary>
    DefenderErrorCode Metadata.IDefenderErrorCodeSource.Code => DefenderErrorCode.InvalidIpAddress;

    /// <inheritdoc/>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        DefenderAttributeSupport.ToResult(this, value, validationContext);

    bool IDefenderValidationAttribute.TryValidate(object? value, out DefenderError error) =>
        DefenderAttributeSupport.ValidateStrings(value, this, static (_, text) => DefenderValidators.IsIpAddress(text), DefenderError.InvalidIpAddress, out error);
}

/// <summary>
/// The value (a string, or each string of a collection) must be an absolute <c>http</c> or <c>https</c> URL.
/// Failure: 400 InvalidUrl <c>URL &lt;x&gt; is invalid.</c> <see langword="null"/> is valid.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class HttpUrlAttribute : ValidationAttribute, IDefenderValidationAttribute
{
    /// <summary>The code a failure answers with; the OpenAPI packages document it for endpoints that use the attribute.</summary>
    DefenderErrorCode Metadata.IDefenderErrorCodeSource.Code => DefenderErrorCode.InvalidUrl;

    /// <inheritdoc/>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        DefenderAttributeSupport.ToResult(this, value, validationContext);

    bool IDefenderValidationAttribute.TryValidate(object? value, out DefenderError error) =>
        DefenderAttributeSupport.ValidateStrings(value, this, static (_, text) => DefenderValidators.IsHttpUrl(text), DefenderError.InvalidUrl, out error);
}

/// <summary>
/// The collection may hold at most <see cref="Maximum"/> items.
/// Failure: 400 MaximumBatchSizeExceeded <c>Maximum batch size exceeded. Received: N, allowed: M.</c> <see langword="null"/> is valid.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class MaxBatchSizeAttribute : ValidationAttribute, IDefenderValidationAttribute
{
    /// <summary>The code a failure answers with; the OpenAPI packages document it for endpoints that use the attribute.</summary>
    DefenderErrorCode Metadata.IDefenderErrorCodeSource.Code => DefenderErrorCode.MaximumBatchSizeExceeded;

    /// <summary>Limits a collection's size.</summary>
    /// <param name="maximum">The most items allowed (zero or more).</param>
    public MaxBatchSizeAttribute(int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maximum);
        Maximum = maximum;
    }

    /// <summary>The most items allowed.</summary>
    public int Maximum { get; }

    /// <inheritdoc/>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        DefenderAttributeSupport.ToResult(this, value, validationContext);

    bool IDefenderValidationAttribute.TryValidate(object? value, out DefenderError error)
    {
        var count = value switch
        {
            null => 0,
            string => 0,
            ICollection collection => collection.Count,
            IEnumerable enumerable => enumerable.Cast<object?>().LongCount(),
            _ => 0,
        };
        return DefenderValidators.TryValidateBatchSize(count, Maximum, out error);
    }
}
