using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;

// ValidationOptions.Resolvers and IValidatableInfoResolver are marked experimental (ASP0029) in .NET 10; they are the only hook
// AddValidation() offers to say what a type or parameter validates.
#pragma warning disable ASP0029

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Tells <c>AddValidation()</c> that <see cref="ODataQueryOptions"/> and <see cref="ODataQueryOptions{TEntity}"/> have nothing to
/// validate: the query is validated by the library, with Defender's limits, when it is applied. Without it, the framework walks
/// the type's properties and throws <see cref="AmbiguousMatchException"/> on <c>IfMatch</c>/<c>IfNoneMatch</c> (redeclared with
/// <c>new</c> by the generic type), so every endpoint with such a parameter answers 500.
/// </summary>
internal sealed class ODataQueryValidationResolver : IValidatableInfoResolver
{
    public static readonly ODataQueryValidationResolver Instance = new();

    public bool TryGetValidatableTypeInfo(Type type, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        validatableInfo = IsQueryOptions(type) ? NothingToValidate.Instance : null;
        return validatableInfo is not null;
    }

    public bool TryGetValidatableParameterInfo(ParameterInfo parameterInfo, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        ArgumentNullException.ThrowIfNull(parameterInfo);
        return TryGetValidatableTypeInfo(parameterInfo.ParameterType, out validatableInfo);
    }

    private static bool IsQueryOptions(Type type) => typeof(ODataQueryOptions).IsAssignableFrom(type);

    private sealed class NothingToValidate : IValidatableInfo
    {
        public static readonly NothingToValidate Instance = new();

        public Task ValidateAsync(object? value, ValidateContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Puts the resolver first after every <c>Configure</c> (the source-generated resolver's included, which
    /// <c>AddValidation()</c>'s interceptor inserts at index 0), whatever the order of <c>AddValidation()</c> and <c>AddDefenderOData()</c>.
    /// </summary>
    internal sealed class Setup : IPostConfigureOptions<ValidationOptions>
    {
        public void PostConfigure(string? name, ValidationOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (options.Resolvers.Count > 0 && !options.Resolvers.Contains(Instance))
            {
                options.Resolvers.Insert(0, Instance);
            }
        }
    }
}
